from django.dispatch import Signal

# Sent after commit when an import created or changed people (once per import, not per
# person: a 100,000-row import must not start 100,000 lookups). Arguments: job_id,
# province_id, actor_id, created_ids, updated_ids. The Bluezone app may check their phones
# in bulk from here.
people_imported = Signal()
