#version 330 core
// Pass 4: the wide gather at half (or quarter) resolution (see gather_library.glsl for
// the method). Each output texel stands for a 2x2 (4x4) block of full-resolution pixels;
// the composite upsamples it and redoes small blurs at full resolution, so in-focus and
// slightly blurred pixels stay sharp.
#include "common/fullscreen.glsl"
#include "common/constants.glsl"

#if defined FRAGMENT_SHADER
#include "dof/gather_library.glsl"
uniform int u_fields_scale;  // 2 (half resolution) or 4 (quarter: the viewer's preview)
uniform float u_small_blur;  // the composite's (or preview's) small blurs reach this far (px)
layout(location = 0) out vec4 out_far;   // far-field colour x upsampling weight, weight
layout(location = 1) out vec4 out_near;  // near-field colour x coverage alpha, alpha

void main() {
    // The centre of this texel's block of full-resolution pixels, and the mip level
    // whose texels are that block.
    float scale = float(u_fields_scale);
    vec2 position = scale * floor(gl_FragCoord.xy) + 0.5 * scale;
    int level = u_fields_scale == 4 ? 2 : 1;
    // Mip levels round odd sizes down, this target rounds them up: clamp the last texel.
    ivec2 texel = min(ivec2(gl_FragCoord.xy), textureSize(u_color_invd, level) - 1);
    vec4 centre = texelFetch(u_color_invd, texel, level);
#if LAYERS
    vec4 layers = texelFetch(u_layers, texel, level);
    // The block's own blur: its far pixels' CoC, or its near pixels' where they dominate.
    float coc = layers.x > 0.5 ? layers.y / layers.x : layers.w / max(layers.z, 1e-6);
#else
    float coc = coc_radius_at(centre.a);
    vec4 layers = vec4(float(coc < -u_near_epsilon));
#endif
    // The far field is stored premultiplied by its weight in the composite's upsampling,
    // so that one bilinear read there does the weighted upsampling: a texel that gathered
    // nothing has weight 0, and a block that straddles a near-field silhouette counts
    // less, since its colour is part foreground and would darken the background just
    // inside a blurred edge.
    float upsample_weight = abs(2.0 * layers.x - 1.0);
    float kernel_radius = max(near_reach(position), abs(coc));
    if (kernel_radius < 1.0) {
        out_far = vec4(centre.rgb, 1.0) * upsample_weight;
        out_near = vec4(0.0);
        return;
    }
    // Modest blurs read full-resolution texels: a 2x2 average would widen them by a
    // pixel. Wide ones read level 1 and up, which costs less and hides in the blur. At
    // a quarter resolution one level coarser, or the sparse output texels would alias.
    float min_lod = (kernel_radius < 8.0 ? 0.0 : 1.0) + log2(scale) - 1.0;
    gather(position, kernel_radius, vec4(centre.rgb, coc), false, min_lod,
           upsampling_variance(scale));
    out_far = g_far.a > 0.0 ? vec4(g_far.rgb, 1.0) * upsample_weight : vec4(0.0);
#if !EXACT_SMALL_BLUR
    // Small blurs come from the mip chain, each pixel by its own CoC: the coarse near
    // field shows only where a near blur wider than they cover reaches, or a surface just
    // in front of focus would take its blocks.
    g_near.a *= smoothstep(0.75 * u_small_blur, u_small_blur, near_reach(position));
#endif
    // Premultiplied, so bilinear upsampling does not darken the field's edges.
    out_near = vec4(g_near.rgb * g_near.a, g_near.a);
}
#endif
