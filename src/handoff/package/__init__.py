"""Package: the decision brief a reviewer reads, and the options it offers.

Pure: builds text and argument edits from an action and its assessment.
"""
