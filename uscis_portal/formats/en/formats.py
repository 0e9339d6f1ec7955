# Dates as U.S. government notices write them in running text: "12 December 2026".
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "l j F Y, H:i"
TIME_FORMAT = "H:i"
