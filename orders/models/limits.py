"""The bounds of the data: text lengths and how many records one order holds."""

MAX_TEXT = 5000
MAX_NAME = 100
MAX_NOTE = 1000  # an abnormal product's or a follow-up's remark

# How many records one order holds at most: bounds what one order (and one list page) can cost.
MAX_ABNORMAL_PRODUCTS = 100
MAX_DEDUCTIONS = 50
MAX_TRACKS = 200
MAX_ATTACHMENTS = 50
