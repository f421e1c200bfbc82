"""Test suite: fast password hashing, no real mail; database and broker from the environment."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
DEMO_DATA_ALLOWED = True  # the suite loads the demo province (seed_demo) with DEBUG off
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECRET_KEY = env("SECRET_KEY", default="test-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")  # noqa: F405
