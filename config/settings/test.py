"""Test suite: fast password hashing, no real mail; database and broker from the environment."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECRET_KEY = env("SECRET_KEY", default="test-secret-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = ["*"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "test-media")  # noqa: F405
# The suite (the API fuzzing above all) sends far more requests a minute than any client: rates it never reaches. The
# throttling tests set their own low rates.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute", "sign_in": "100000/minute"},
}
