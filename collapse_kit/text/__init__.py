"""The language-model world: a character model trained recursively on Shakespeare, and the discrete word game
(lesson 09). Its config is ``loop.TextConfig``."""
