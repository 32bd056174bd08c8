#version 330 core
// Fills the colour and object-id buffers where no geometry will land. A draw rather than
// glClear, because clearing an integer attachment with float colours is undefined.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform vec3 u_background;
layout(location = 0) out vec4 out_color;
layout(location = 1) out uint out_object_id;
void main() {
    out_color = vec4(u_background, 1.0);
    out_object_id = 0u;
}
#endif
