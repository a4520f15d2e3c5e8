"""The hook Wagtail calls when a workflow finishes (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail imports this setting while its own models load, so the real work is
imported lazily.
"""


def finish_workflow(workflow_state, user=None):
    """Publish what the finished workflow approved (see actions.lifecycle)."""
    from .actions.lifecycle import finish_workflow as finish

    return finish(workflow_state, user=user)
