#version 330 core
// Pass 5: the full-resolution composite. Lays the near field over the far field in linear
// HDR. Each field comes from the half- (or quarter-) resolution gather, upsampled, where its blur is
// wide; where it is at most SMALL_BLUR_PX, it is gathered here at full resolution, so
// sharp and slightly blurred pixels keep their detail. Where the far field gathered
// nothing (deep inside a blurred foreground, whose background is hidden from the pinhole
// view) the near colour stands alone.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "dof/gather_library.glsl"
uniform sampler2D u_far;     // half resolution
uniform sampler2D u_near;    // half resolution
uniform float u_small_blur;  // largest CoC radius (px) gathered here at full resolution
uniform int u_fields_scale;  // u_far and u_near are 1/2 or 1/4 of the frame's size
layout(location = 0) out vec4 out_color;

// Bilinear upsampling. For the far field it skips texels that gathered nothing, and
// discounts texels whose 2x2 block straddles a near-field silhouette: their colour is
// part foreground, which would darken the background just inside a blurred edge.
vec4 upsample(sampler2D field, vec2 position, bool is_far) {
    vec2 p = position / float(u_fields_scale) - 0.5;
    int level = u_fields_scale == 4 ? 2 : 1;  // the mip level of the same footprint
    ivec2 base = ivec2(floor(p));
    vec2 f = p - vec2(base);
    ivec2 last = textureSize(field, 0) - 1;
    vec4 sum = vec4(0.0);
    float weight = 0.0;
    for (int j = 0; j <= 1; ++j) {
        for (int i = 0; i <= 1; ++i) {
            vec4 t = texelFetch(field, clamp(base + ivec2(i, j), ivec2(0), last), 0);
            float w = (i == 1 ? f.x : 1.0 - f.x) * (j == 1 ? f.y : 1.0 - f.y);
            if (is_far) {
                ivec2 mip_last = textureSize(u_layers, level) - 1;
                float near_fraction = texelFetch(u_layers, clamp(base + ivec2(i, j), ivec2(0), mip_last), level).x;
                w *= t.a > 0.0 ? abs(2.0 * near_fraction - 1.0) : 0.0;
            }
            sum += t * w;
            weight += w;
        }
    }
    return weight > 0.0 ? sum / weight : vec4(0.0);
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
    if (!small_far) far = upsample(u_far, position, true);
    if (!small_near) near = upsample(u_near, position, false);
    float alpha = far.a > 0.0 ? near.a : float(near.a > 0.0);
    out_color = vec4(mix(far.rgb, near.rgb, alpha), 1.0);
}
#endif
