#version 330 core
// Adds one weighted sample image into the accumulation buffer (additive blending):
// the accumulation reference averages many pinhole renders in linear HDR.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_source;
uniform float u_weight;
layout(location = 0) out vec4 out_color;
void main() {
    out_color = vec4(texelFetch(u_source, ivec2(gl_FragCoord.xy), 0).rgb * u_weight, 1.0);
}
#endif
