#version 330 core
// The prepare pass, the first of depth of field, once per view (not per frame of a rack
// focus): colour with inverse depth, and view depth in metres (for picking and the depth
// view).
//
// The thin-lens CoC is affine in inverse depth (common/thin_lens.glsl):
//     coc_diameter_px = C0 / depth + C1,   C0 = -K, C1 = K / focus
// so storing 1/depth instead of the CoC lets every later pass derive the CoC for the
// current focus with one multiply-add, and this pass, the colour mip chain and the
// depth tiles need not run again while only focus, f-stop or blades change.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
uniform sampler2D u_scene_color;
uniform sampler2D u_scene_depth;
layout(location = 0) out vec4 out_color_invd;  // rgb linear radiance, a = 1/depth (0: sky) x light weight
layout(location = 1) out float out_depth;      // view depth in metres, +inf for the sky

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    float window_z = texelFetch(u_scene_depth, pixel, 0).r;
    float depth = window_z < 1.0 ? view_depth(window_z) : uintBitsToFloat(0x7F800000u);
    out_depth = depth;
    out_color_invd = color_with_inverse_depth(texelFetch(u_scene_color, pixel, 0).rgb, 1.0 / depth);
}
#endif
