"""The day itself: paired tablets, check-in at the door, and the check-in API."""
