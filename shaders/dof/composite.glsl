#version 330 core
// The composite pass, every frame, at full resolution: lays the near field over the far
// field in linear HDR. Each field comes from the half- (or quarter-) resolution gather,
// upsampled, where its blur is wide; where it is at most u_small_blur
// (GatherQuality.small_blur_px), it is gathered here at full resolution, so sharp and
// slightly blurred pixels keep their detail. Inside a blurred foreground the far field is
// the second layer (what the foreground hides), where there is one; where there is none
// and the gather found nothing, the near colour stands alone.
// Compile-time switches (dofviewer/render/gl/dof.py sets them per GatherQuality):
// EXACT_SMALL_BLUR 0 skips the full-resolution gather, taking small blurs from the
// preview's half-resolution far field (preview_far.glsl) instead, and SECOND_LAYER 0
// the hidden background, for the viewer's preview on slow machines.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "dof/gather_library.glsl"
#include "dof/fields.glsl"
#include "dof/hidden.glsl"
#if EXACT_SMALL_BLUR
// Largest CoC radius (px) gathered here at full resolution; at most EXACT_REACH, the
// exact gather's reach (GatherQuality checks it).
uniform float u_small_blur;
#endif
uniform sampler2D u_background;          // what blurred foregrounds hide (layers.glsl), mipmapped
uniform sampler2D u_second_layer_depth;  // the second layer's depth buffer
layout(location = 0) out vec4 out_color;

// The background hidden behind a blurred foreground at this pixel, from the second
// layer, blurred by its own CoC (a mip level about as wide as its disc: a box as wide as
// 1.7 radii has a disc's variance); past the foreground's silhouette the level blends in
// the visible surface, which is what continues there. alpha 0 where nothing lies behind.
vec4 hidden_background(ivec2 pixel) {
    float window_z = texelFetch(u_second_layer_depth, pixel, 0).r;
    if (window_z >= 1.0) return vec4(0.0);
    float radius = abs(coc_radius_at(1.0 / view_depth(window_z)));
    vec2 uv = (vec2(pixel) + 0.5) / vec2(textureSize(u_background, 0));
    vec4 c = textureLod(u_background, uv, log2(max(1.7 * radius, 1.0)));
    return c.a > 0.0 ? vec4(c.rgb / c.a, 1.0) : vec4(0.0);
}

#if !EXACT_SMALL_BLUR
uniform sampler2D u_preview_far;  // the preview's far field at half resolution (preview_far.glsl)
#endif

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec2 position = gl_FragCoord.xy;
    vec4 centre = texelFetch(u_color_invd, pixel, 0);
    centre.a = coc_radius_at(inverse_depth_of(centre));
#if EXACT_SMALL_BLUR
    float reach = near_reach(position);
    bool small_far = abs(centre.a) <= u_small_blur;
    bool small_near = reach <= u_small_blur;
    vec4 far = vec4(centre.rgb, 1.0);
    vec4 near = vec4(0.0);
    float radius = max(small_far ? abs(centre.a) : 0.0, small_near ? reach : 0.0);
    if (radius >= 0.5) {
        Fields exact = gather_exact(pixel, radius, centre);
        far = exact.far;
        near = exact.near;
    }
    if (!small_far) {
        // Sharp blocks leave the far field empty (gather.glsl): a blurred pixel whose
        // every neighbouring block is sharp keeps its own colour.
        vec4 upsampled = upsample_far(position);
        far = upsampled.a > 0.0 ? upsampled : vec4(centre.rgb, 1.0);
    }
    if (!small_near) near = upsample_near(position);
#else
    // The viewer's preview: no gather here at all (a software rasteriser runs every
    // branch of a shader, so even skipped gathers cost), and three reads: this pixel,
    // the half-resolution far field and the near field. Where no near blur around is
    // wider than the small blurs cover, the gather left the near field empty, so a
    // surface just in front of focus keeps its own small blur rather than the coarse
    // field's blocks.
    float radius = abs(centre.a);
    vec2 far_uv = position / (2.0 * vec2(textureSize(u_preview_far, 0)));
    // Upsampling the half-resolution field adds a little blur; a pixel blurred by less
    // shows some of its sharp self, so its variance stays r^2/4.
    float blurred = clamp(0.25 * radius * radius / upsampling_variance(2.0), 0.0, 1.0);
    vec4 far = vec4(mix(centre.rgb, texture(u_preview_far, far_uv).rgb, blurred), 1.0);
    vec4 near = upsample_near(position);
#endif
#if SECOND_LAYER
    if (centre.a < -2.0 * u_near_epsilon) {
        // Inside a blurred foreground the pinhole image holds no background; the second
        // layer does, where there is one (see dof/hidden.glsl).
        vec4 hidden = hidden_background(pixel);
        float trust = hidden_share(centre.a, u_near_epsilon);
        if (hidden.a > 0.0) far = far.a > 0.0 ? mix(far, hidden, trust) : hidden;
    }
#endif
    float alpha = far.a > 0.0 ? near.a : float(near.a > 0.0);
    out_color = vec4(mix(far.rgb, near.rgb, alpha), 1.0);
}
#endif
