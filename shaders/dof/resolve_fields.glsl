#version 330 core
// After an interleaved gather (INTERLEAVE 2 in gather.glsl): neighbouring texels each
// read half of the ring pattern, the even samples of every ring or the odd ones, in a
// checkerboard. One bilinear read at the corner four texels share averages them, two of
// each half, so every texel of the fields has read the whole pattern for half the
// samples a texel. Both fields are premultiplied (far by its upsampling weight, near by
// coverage), so the average of their sums is the right one. The gather placed each
// texel's sample at its block's corner, so the average stands at this texel's centre.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_far;   // the interleaved gather's far field, bilinear
uniform sampler2D u_near;  // and its near field
layout(location = 0) out vec4 out_far;
layout(location = 1) out vec4 out_near;

void main() {
    vec2 uv = (floor(gl_FragCoord.xy) + 1.0) / vec2(textureSize(u_far, 0));
    out_far = texture(u_far, uv);
    out_near = texture(u_near, uv);
}
#endif
