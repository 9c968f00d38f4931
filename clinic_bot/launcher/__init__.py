"""`make run`: starts the action server and the Rasa server together (``servers``) and serves the demo
clinic site with the chat widget (``demo_site``). The tests and the benchmark start the same servers."""
