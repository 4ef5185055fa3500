"""System checks that make the running configuration visible at start-up."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def celery_mode(app_configs, **kwargs):
    """Say loudly when there is no broker and tasks run inside the web process."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return [
            Warning(
                "REDIS_URL is not set: Celery tasks run eagerly inside the web process.",
                hint="Set REDIS_URL and start a worker and beat for production (see README).",
                id="network_portal.W001",
            )
        ]
    return []
