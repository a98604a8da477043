"""The exceptions that cross a boundary; each carries a message a person can act on."""


class AntifraudError(Exception):
    """Base of every error the CLI and web UI turn into a message."""


class ConfigError(AntifraudError):
    """config.yaml (or the environment it names) is wrong."""


class InputError(AntifraudError):
    """A value typed or imported by a person is wrong; nothing was written."""


class DatabaseUnavailable(AntifraudError):
    """The database cannot be used right now (locked, read-only, damaged, unreachable); nothing was written."""


class DeliveryError(AntifraudError):
    """A channel refused or failed a message."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent
