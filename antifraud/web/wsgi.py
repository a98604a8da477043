"""The WSGI application for a production server: `gunicorn -w 2 antifraud.web.wsgi:application`.

The config file is $ANTIFRAUD_CONFIG (default ./config.yaml), as for the CLI.
"""

from . import create_app

application = create_app()
