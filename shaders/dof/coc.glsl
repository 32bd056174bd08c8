#version 330 core
// Pass 1 of depth of field: view depth and signed circle of confusion per pixel.
//
// Thin lens with the framing held fixed (see dofviewer/lens.py for the derivation):
//     coc_diameter_px = C0 / depth + C1,   C0 = -K, C1 = K / focus,  K = f^2/N * W/sensor
// Negative in front of the focus plane, positive behind it. Stored as a *radius* in
// full-resolution pixels, clamped to +-u_max_coc_radius (dofviewer.lens.MAX_COC_RADIUS_PX).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
uniform sampler2D u_scene_color;
uniform sampler2D u_scene_depth;
layout(location = 0) out vec4 out_color_coc;  // rgb linear radiance, a = signed CoC radius
layout(location = 1) out float out_depth;     // view depth in metres, +inf for the sky
// Layer moments, averaged by the mip chain so a coarse texel that straddles a silhouette
// can be split again in the gather: (near?, near? * CoC, far weight, far weight * CoC).
// The far weight is luminance (plus a floor), so a small bright light keeps its own CoC
// instead of taking on the dark background's (dofviewer/gl/dof.py:
// NEAR_FIELD_EPSILON_PX must agree with gather.glsl).
layout(location = 2) out vec4 out_layers;
uniform float u_near_epsilon;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    float window_z = texelFetch(u_scene_depth, pixel, 0).r;
    float inverse_depth = 0.0;   // the empty background is at infinity
    out_depth = uintBitsToFloat(0x7F800000u);
    if (window_z < 1.0) {
        float depth = view_depth(window_z);
        inverse_depth = 1.0 / depth;
        out_depth = depth;
    }
    float coc_radius = coc_radius_at(inverse_depth);
    vec3 color = texelFetch(u_scene_color, pixel, 0).rgb;
    out_color_coc = vec4(color, coc_radius);
    if (coc_radius < -u_near_epsilon) {
        out_layers = vec4(1.0, coc_radius, 0.0, 0.0);
    } else {
        float weight = dot(color, vec3(0.2126, 0.7152, 0.0722)) + 0.01;
        out_layers = vec4(0.0, 0.0, weight, weight * coc_radius);
    }
}
#endif
