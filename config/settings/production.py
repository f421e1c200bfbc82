"""Production: everything secure by default; secrets and hosts must come from the environment.

Required: SECRET_KEY, BID_SEALING_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL. See README "Production settings".
"""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
BID_SEALING_KEY = env("BID_SEALING_KEY")  # never derived in production
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
env("DATABASE_URL")  # required: production never starts the embedded development server

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Persistent connections: Django reads this per database, not as a top-level setting. Each request would otherwise
# open a new connection, and the prepared statements (DB_PREPARED_STATEMENTS) would die with it.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405  (a connection the server dropped is replaced)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
