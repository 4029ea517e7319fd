"""The editor tests: a real dearpygui window under Xvfb."""
