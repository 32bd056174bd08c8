#version 330 core
// One full-screen texture copy: the benchmark's unit of cost ("screen copies").
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_source;
layout(location = 0) out vec4 out_color;
void main() {
    out_color = texelFetch(u_source, ivec2(gl_FragCoord.xy), 0);
}
#endif
