#version 330 core
// Blends a premultiplied-alpha overlay (the HUD) over the frame, texel for pixel.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_overlay;
layout(location = 0) out vec4 out_color;
void main() {
    out_color = texelFetch(u_overlay, ivec2(gl_FragCoord.xy), 0);
}
#endif
