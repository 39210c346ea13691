"""The service's settings plus the upload probe route (devtools/upload_probe.py); devtools only."""

from afterservice_site.settings import *  # noqa: F403

ROOT_URLCONF = "devtools.upload_probe"
