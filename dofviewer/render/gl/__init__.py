"""OpenGL resources: each class owns its GL objects, creates them once and frees them in
``release()``. Nothing here allocates per frame."""
