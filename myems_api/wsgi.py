"""WSGI entry point for servers other than ``myems serve``: ``gunicorn 'myems_api.wsgi:app'``."""

from myems_api.app import create_app
from myems_api.config import Config

app = create_app(Config.from_env())
