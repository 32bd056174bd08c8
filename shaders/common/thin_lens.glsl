// The thin-lens CoC from inverse depth or a depth-buffer value, for every pass that
// needs a pixel's blur (DepthOfField sets these uniforms on each).
//     coc_diameter_px = C0 / depth + C1   (see shaders/dof/prepare.glsl, dofviewer/shot/lens.py)
#include "common/inverse_depth.glsl"
uniform vec2 u_coc_coefficients;   // (C0, C1) for the diameter in pixels
uniform vec2 u_clip_planes;        // (near, far) in metres
// The largest CoC radius (px): max_coc_radius_px(width) (dofviewer/shot/lens.py: 8 % of the
// frame's width, at least 32); the dilate pass's reach must cover it.
uniform float u_max_coc_radius;

// View depth in metres from a depth-buffer value below 1 (1 is the empty background).
float view_depth(float window_z) {
    float near = u_clip_planes.x, far = u_clip_planes.y;
    float z_ndc = 2.0 * window_z - 1.0;
    return 2.0 * near * far / (far + near - z_ndc * (far - near));
}

// Signed CoC radius in pixels at 1/depth (0: infinity), clamped to +-u_max_coc_radius.
float coc_radius_at(float inverse_depth) {
    float radius = 0.5 * (u_coc_coefficients.x * inverse_depth + u_coc_coefficients.y);
    return clamp(radius, -u_max_coc_radius, u_max_coc_radius);
}
