import time

from celery import shared_task

from . import services

# Without a broker (tasks run eagerly in the web process) a retry happens in place, after a
# short wait instead of the full back-off, so that a page never hangs for minutes.
EAGER_MAX_WAIT_SECONDS = 1.0


@shared_task(bind=True, max_retries=None, acks_late=True)
def sms_deliver(self, message_id: int) -> str:
    """Send one queued message; a re-run after it was sent does nothing."""
    outcome = services.sms_message_deliver(message_id=message_id)
    while outcome.retry_in is not None and self.request.is_eager:
        time.sleep(min(outcome.retry_in, EAGER_MAX_WAIT_SECONDS))
        outcome = services.sms_message_deliver(message_id=message_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task
def sms_requeue_stale() -> int:
    return services.sms_requeue_stale()
