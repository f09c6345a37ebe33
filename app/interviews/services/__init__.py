"""The interviews domain's business processes, one module each: slots (generating and
regenerating them from participations), booking (the one path that creates, moves and
cancels interviews), wishes, reviews (employers shortlisting or declining profiles) and
outcomes (what employers record on the day)."""
