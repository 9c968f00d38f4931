"""The staff console: review conversations, edit answers and retrain the model from a browser, behind logins."""
