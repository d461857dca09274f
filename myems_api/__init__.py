"""MyEMS-compatible energy management: the admin REST API and the foundations every process shares."""

__version__ = "0.1.0"
