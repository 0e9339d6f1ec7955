DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"l j \d\e F \d\e Y, H:i"
TIME_FORMAT = "H:i"
