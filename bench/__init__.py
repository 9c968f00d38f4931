"""`make bench`: understanding, speed and footprint of the assistant, with a scikit-learn peer, in one run."""
import os

# Before any module of the package imports TensorFlow (through Rasa): its C++ log lines would fill the screen.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
