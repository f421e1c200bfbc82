# The same formats as English: dates read YYYY-MM-DD in every language of the platform.
from config.formats.en.formats import *  # noqa: F403
