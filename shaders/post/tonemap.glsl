#version 330 core
// Last pass: exposure, filmic tone curve and sRGB encoding, after depth of field, so
// highlights far above 1.0 keep their energy through the blur and bloom into bokeh.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_linear;
uniform float u_exposure;      // 2^EV
layout(location = 0) out vec4 out_color;

// Narkowicz's fit of the ACES reference rendering transform: a soft shoulder that
// keeps saturated highlights from clipping hard.
vec3 tone_curve(vec3 x) {
    return clamp(x * (2.51 * x + 0.03) / (x * (2.43 * x + 0.59) + 0.14), 0.0, 1.0);
}

vec3 srgb_encode(vec3 c) {
    return mix(12.92 * c, 1.055 * pow(c, vec3(1.0 / 2.4)) - 0.055, step(0.0031308, c));
}

// A fixed per-pixel offset of under half an 8-bit step: breaks banding in smooth bokeh
// gradients and stays bit-identical from frame to frame.
float dither(ivec2 p) {
    uint h = uint(p.x) * 1664525u ^ uint(p.y) * 22695477u;
    h = (h ^ (h >> 13u)) * 1274126177u;
    return (float(h >> 8u) / 16777216.0 - 0.5) / 255.0;
}

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec3 linear = texelFetch(u_linear, pixel, 0).rgb * u_exposure;
    out_color = vec4(srgb_encode(tone_curve(linear)) + dither(pixel), 1.0);
}
#endif
