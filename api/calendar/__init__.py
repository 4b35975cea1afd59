"""The working calendar: the administrator's days off and make-up working days, the
year's days off, "N working days after D"."""
