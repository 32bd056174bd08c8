#version 330 core
// Pass 5: lay the near field over the far field, in linear HDR.
// Where the far field gathered nothing (deep inside a blurred foreground, whose
// background is hidden from the pinhole view) the near colour stands alone.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_far;
uniform sampler2D u_near;
layout(location = 0) out vec4 out_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 far = texelFetch(u_far, pixel, 0);
    vec4 near = texelFetch(u_near, pixel, 0);
    float alpha = far.a > 0.0 ? near.a : float(near.a > 0.0);
    out_color = vec4(mix(far.rgb, near.rgb, alpha), 1.0);
}
#endif
