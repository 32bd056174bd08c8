#version 330 core
// Pass 1 of depth of field: view depth and signed circle of confusion per pixel.
//
// Thin lens with the framing held fixed (see dofviewer/lens.py for the derivation):
//     coc_diameter_px = C0 / depth + C1,   C0 = -K, C1 = K / focus,  K = f^2/N * W/sensor
// Negative in front of the focus plane, positive behind it. Stored as a *radius* in
// full-resolution pixels, clamped to +-u_max_coc_radius (dofviewer.lens.MAX_COC_RADIUS_PX).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
uniform sampler2D u_scene_color;
uniform sampler2D u_scene_depth;
uniform vec2 u_coc_coefficients;   // (C0, C1) for the diameter in pixels
uniform vec2 u_clip_planes;        // (near, far) in metres
uniform float u_max_coc_radius;
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
    float near = u_clip_planes.x, far = u_clip_planes.y;
    float inverse_depth = 0.0;   // the empty background is at infinity
    out_depth = uintBitsToFloat(0x7F800000u);
    if (window_z < 1.0) {
        float z_ndc = 2.0 * window_z - 1.0;
        float depth = 2.0 * near * far / (far + near - z_ndc * (far - near));
        inverse_depth = 1.0 / depth;
        out_depth = depth;
    }
    float coc_radius = 0.5 * (u_coc_coefficients.x * inverse_depth + u_coc_coefficients.y);
    coc_radius = clamp(coc_radius, -u_max_coc_radius, u_max_coc_radius);
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
