#version 330 core
// The gather pass, every frame: the wide gather at half (or quarter) resolution (see
// gather_library.glsl for the method). Each output texel stands for a 2x2 (4x4) block of
// full-resolution pixels; the composite pass upsamples it and redoes small blurs at full
// resolution, so in-focus and slightly blurred pixels stay sharp. With INTERLEAVE 2 the
// resolve pass (resolve_fields.glsl) averages its output first.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "dof/gather_library.glsl"
// 2 (half resolution) or 4 (quarter: the viewer's preview): GatherQuality.gather_scale,
// which also sizes the fields this pass draws into (dofviewer/render/gl/targets.py).
uniform int u_fields_scale;

// Per-axis variance (px²) the resolve pass adds to an interleaved gather's result
// (INTERLEAVE 2): its 2x2 average of texels `scale` pixels apart, and with FILL_RINGS
// the spread between the rings' samples for this kernel (resolve_fields.glsl).
float resolve_variance(float scale, float kernel_radius, float min_lod) {
#if INTERLEAVE == 2 && FILL_RINGS
    return 0.25 * scale * scale + ring_fill_variance(ring_layout(kernel_radius, min_lod), scale);
#elif INTERLEAVE == 2
    return 0.25 * scale * scale;
#else
    return 0.0;
#endif
}
layout(location = 0) out vec4 out_far;   // far-field colour x upsampling weight, weight
layout(location = 1) out vec4 out_near;  // near-field colour x coverage alpha, alpha

void main() {
    float scale = float(u_fields_scale);
#if INTERLEAVE == 2
    // Neighbouring texels take alternate halves of the ring pattern, and the resolve pass
    // averages each 2x2 of them (resolve_fields.glsl), which stands at their shared
    // corner: so each gathers at its block's corner. A bilinear read there, one level
    // finer than the block, is the block round that corner.
    vec2 position = scale * floor(gl_FragCoord.xy);
    int pattern = ((int(gl_FragCoord.x) + int(gl_FragCoord.y)) & 1) * (KERNEL_SAMPLES / 2);
    vec2 block_uv = position / vec2(textureSize(u_color_invd, 0));
    float block_lod = log2(scale) - 1.0;
    vec4 centre = textureLod(u_color_invd, block_uv, block_lod);
#if LAYERS
    vec4 layers = textureLod(u_layers, block_uv, block_lod);
#endif
#else
    // The centre of this texel's block of full-resolution pixels, and the mip level
    // whose texels are that block.
    vec2 position = scale * floor(gl_FragCoord.xy) + 0.5 * scale;
    int pattern = 0;
    int level = u_fields_scale == 4 ? 2 : 1;
    // Mip levels round odd sizes down, this target rounds them up: clamp the last texel.
    ivec2 texel = min(ivec2(gl_FragCoord.xy), textureSize(u_color_invd, level) - 1);
    vec4 centre = texelFetch(u_color_invd, texel, level);
#if LAYERS
    vec4 layers = texelFetch(u_layers, texel, level);
#endif
#endif
#if LAYERS
    // The block's own blur: its far pixels' CoC, or its near pixels' where they dominate.
    float coc = layers.x > 0.5 ? layers.y / layers.x : layers.w / max(layers.z, 1e-6);
#else
    float coc = coc_radius_at(inverse_depth_of(centre));
    vec4 layers = vec4(float(coc < -u_near_epsilon));
#endif
    // The far field is stored premultiplied by its weight in the composite's upsampling,
    // so that one bilinear read there does the weighted upsampling: a texel that gathered
    // nothing has weight 0, and a block that straddles a near-field silhouette counts
    // less, since its colour is part foreground and would darken the background just
    // inside a blurred edge. A sharp block has weight 0 too: its own pixels are drawn
    // sharp at full resolution, and through upsampling its colour would only bleed into
    // the blurred background beside a sharp foreground (a dark fringe round a dark pole
    // in the quality benchmark's halo case; docs/shaders.md).
    float upsample_weight = abs(2.0 * layers.x - 1.0);
    float kernel_radius = max(near_reach(position), abs(coc));
    if (kernel_radius < 1.0) {
        out_far = vec4(0.0);
        out_near = vec4(0.0);
        return;
    }
    float min_lod = gather_min_lod(kernel_radius, scale);
    Fields fields = gather(position, kernel_radius, vec4(centre.rgb, coc), false, min_lod,
                           upsampling_variance(scale) + resolve_variance(scale, kernel_radius, min_lod),
                           pattern);
    out_far = fields.far.a > 0.0 ? vec4(fields.far.rgb, 1.0) * upsample_weight : vec4(0.0);
    // Premultiplied, so bilinear upsampling does not darken the field's edges.
    out_near = vec4(fields.near.rgb * fields.near.a, fields.near.a);
}
#endif
