#version 330 core
// Pass 3, every frame of the final quality: each pixel's CoC for the current focus,
// split into layer moments that the mip chain averages, so a coarse texel that
// straddles a silhouette can be split again in the gather:
//     (near?, near? * CoC, far weight, far weight * CoC).
// The far weight is luminance (plus a floor), so a small bright light keeps its own CoC
// instead of taking on the dark background's. CoC radius below -u_near_epsilon is near
// field (dofviewer/gl/dof.py: NEAR_FIELD_EPSILON_PX).
#include "common/fullscreen.glsl"

#if defined FRAGMENT_SHADER
#include "common/thin_lens.glsl"
uniform sampler2D u_color_invd;
uniform float u_near_epsilon;
layout(location = 0) out vec4 out_layers;

void main() {
    vec4 s = texelFetch(u_color_invd, ivec2(gl_FragCoord.xy), 0);
    float coc = coc_radius_at(s.a);
    float weight = dot(s.rgb, vec3(0.2126, 0.7152, 0.0722)) + 0.01;
    out_layers = coc < -u_near_epsilon ? vec4(1.0, coc, 0.0, 0.0)
                                       : vec4(0.0, 0.0, weight, weight * coc);
}
#endif
