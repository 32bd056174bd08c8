"""Screenshot regression tests for users: manifests, ``dofviewer check``, its report and
the pytest plugin (``dof_snapshot``)."""
