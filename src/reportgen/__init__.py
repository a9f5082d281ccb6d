"""reportgen: formal Word analysis reports of Vietnamese public-administration indexes."""

__version__ = "0.1.0"
