#version 330 core
// A texel-for-pixel copy: the benchmark's unit of cost ("screen copies"), and the HUD
// overlay (drawn with premultiplied-alpha blending).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_source;
layout(location = 0) out vec4 out_color;
void main() {
    out_color = texelFetch(u_source, ivec2(gl_FragCoord.xy), 0);
}
#endif
