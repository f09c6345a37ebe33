"""Signals of the candidates domain, for the domains above it (which may not be imported
from here): a registration leaving its étape (cancelled, moved, erased) must lose its
interviews there."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the registration, inside the transaction, before it leaves its étape
#: (`registration.event_id` is still the étape it leaves).
registration_leaving = _signals.signal("registration-leaving")
