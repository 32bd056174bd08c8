#version 330 core
// The layers pass, every frame, final quality only: each pixel's CoC for the current focus,
// split into layer moments that the mip chain averages, so a coarse texel that
// straddles a silhouette can be split again in the gather:
//     (near?, near? * CoC, far weight, far weight * CoC).
// The far weight is light_weight(), luminance plus a floor (common/inverse_depth.glsl),
// so a small bright light keeps its own CoC instead of taking on the dark background's;
// the gather also splits a mixed texel's colour into near and far by it
// (near_color_share() in gather_library.glsl). CoC radius below -u_near_epsilon is near
// field (dofviewer/render/gl/dof.py: NEAR_FIELD_EPSILON_PX).
// And the background the composite shows behind blurred foregrounds (also mipmapped):
// the second layer inside near-field pixels, the visible surface elsewhere. Outside a
// foreground the second layer is what lies behind the visible surface; the composite's
// coarse read would mix it into the foreground's edge as a thin bright or dark ring.
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
#include "dof/hidden.glsl"
uniform sampler2D u_color_invd;
uniform float u_near_epsilon;  // px, > 0; the gather splits at the same value
uniform sampler2D u_second_layer;  // per view; premultiplied, a = 1 where anything lies behind
layout(location = 0) out vec4 out_layers;
layout(location = 1) out vec4 out_background;  // premultiplied, a = 0 where nothing lies behind
// The far field's spreading light: (colour, 1) x how much of the pixel's blur leaves it
// (0 for a sharp pixel, 1 from a CoC radius of 1.5 px), 0 for near pixels. Its mip levels
// give a coarse texel's far colour without the sharp pixels in it: a sharp dark surface
// beside a blurred bright one lights nothing but itself, so it must not darken the
// blurred one's spread (the wide-occluder fringe case in the quality benchmark).
layout(location = 2) out vec4 out_far_color;

void main() {
    ivec2 pixel = ivec2(gl_FragCoord.xy);
    vec4 s = texelFetch(u_color_invd, pixel, 0);
    float coc = coc_radius_at(inverse_depth_of(s));
    float weight = light_weight(s.rgb);
    out_layers = coc < -u_near_epsilon ? vec4(1.0, coc, 0.0, 0.0)
                                       : vec4(0.0, 0.0, weight, weight * coc);
    float spreads = coc < -u_near_epsilon ? 0.0 : smoothstep(0.5, 1.5, abs(coc));
    out_far_color = vec4(s.rgb, 1.0) * spreads;
    vec4 second = texelFetch(u_second_layer, pixel, 0);
    out_background = mix(vec4(s.rgb, 1.0), second, hidden_share(coc, u_near_epsilon));
}
#endif
