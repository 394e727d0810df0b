from django.dispatch import Signal

# Sent after commit when a person's phone is set or changed: receivers (the Bluezone app)
# start an install check. Arguments: case_id, phone, actor_id.
phone_changed = Signal()
