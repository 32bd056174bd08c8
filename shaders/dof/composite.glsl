#version 330 core
// Pass 5: the full-resolution composite. Lays the near field over the far field in linear
// HDR. Each field comes from the half- (or quarter-) resolution gather, upsampled, where
// its blur is wide; where it is at most SMALL_BLUR_PX, it is gathered here at full
// resolution, so sharp and slightly blurred pixels keep their detail. Where the far field gathered
// nothing (deep inside a blurred foreground, whose background is hidden from the pinhole
// view) the near colour stands alone.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "dof/gather_library.glsl"
uniform sampler2D u_far;     // the gather's far field (premultiplied), bilinear
uniform sampler2D u_near;    // the gather's near field, bilinear
uniform float u_small_blur;  // largest CoC radius (px) gathered here at full resolution
uniform int u_fields_scale;  // u_far and u_near are 1/2 or 1/4 of the frame's size
layout(location = 0) out vec4 out_color;

// Bilinear upsampling of a field, in hardware. The far field is premultiplied by its
// upsampling weight (see gather.glsl), so dividing by alpha makes it a weighted average;
// alpha 0 means no texel around gathered anything. The near field's alpha is coverage.
vec4 upsample_far(vec2 position) {
    vec4 sum = texture(u_far, position / (float(u_fields_scale) * vec2(textureSize(u_far, 0))));
    return sum.a > 0.0 ? vec4(sum.rgb / sum.a, 1.0) : vec4(0.0);
}

vec4 upsample_near(vec2 position) {
    return texture(u_near, position / (float(u_fields_scale) * vec2(textureSize(u_near, 0))));
}

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec2 position = gl_FragCoord.xy;
    vec4 centre = texelFetch(u_color_coc, pixel, 0);
    float reach = near_reach(position);
    bool small_far = abs(centre.a) <= u_small_blur;
    bool small_near = reach <= u_small_blur;
    vec4 far = vec4(centre.rgb, 1.0);
    vec4 near = vec4(0.0);
    float radius = max(small_far ? abs(centre.a) : 0.0, small_near ? reach : 0.0);
    if (radius >= 0.5) {
        gather_exact(pixel, radius, centre);
        far = g_far;
        near = g_near;
    }
    if (!small_far) far = upsample_far(position);
    if (!small_near) near = upsample_near(position);
    float alpha = far.a > 0.0 ? near.a : float(near.a > 0.0);
    out_color = vec4(mix(far.rgb, near.rgb, alpha), 1.0);
}
#endif
