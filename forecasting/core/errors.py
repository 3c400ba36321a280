"""Errors that carry a message meant for a person, not a developer."""


class UserInputError(ValueError):
    """Bad input from a user (file, flag, link). The message names the problem and where."""


class DataFileError(UserInputError):
    """A shipped or user-supplied raw file does not have the shape its loader expects."""
