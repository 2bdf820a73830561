// faces.js — the smiley faces as SVG. The mouth (a deep frown to a wide
// open smile) and the brows carry the meaning in grey scale; the colour is
// a light tint that keeps the black features at full contrast.

import { s } from './dom.js';

// Curvature of the mouth per face, from the saddest: -2 .. +2.
const CURVE = { 5: [-2, -1, 0, 1, 2], 4: [-2, -1, 1, 2] };
const TINT = { '-2': '#f6c6c0', '-1': '#f9d9b8', 0: '#f6ecb0', 1: '#d5ecc0', 2: '#bfe3c8' };

export function face(faces, value) {
  const c = (CURVE[faces === 4 ? 4 : 5] || CURVE[5])[value - 1];
  const parts = [
    s('circle', { cx: 50, cy: 50, r: 45, fill: TINT[c], stroke: '#1a1a1a', 'stroke-width': 4 }),
    s('circle', { cx: 34, cy: 40, r: 5.5, fill: '#1a1a1a' }),
    s('circle', { cx: 66, cy: 40, r: 5.5, fill: '#1a1a1a' }),
  ];
  if (c === -2) {
    // Brows that slope down to the sides: distress, even without colour.
    parts.push(s('path', { d: 'M24 30 L40 25 M76 30 L60 25', stroke: '#1a1a1a', 'stroke-width': 4, 'stroke-linecap': 'round', fill: 'none' }));
  }
  if (c === 2) {
    // An open smile, filled: the happiest face reads at a glance.
    parts.push(s('path', { d: 'M28 58 Q50 86 72 58 Z', fill: '#1a1a1a', stroke: '#1a1a1a', 'stroke-width': 4, 'stroke-linejoin': 'round' }));
  } else if (c === 0) {
    parts.push(s('path', { d: 'M32 68 L68 68', stroke: '#1a1a1a', 'stroke-width': 5, 'stroke-linecap': 'round' }));
  } else {
    const y = c > 0 ? 62 : 74;
    const q = c > 0 ? 80 : c === -1 ? 62 : 56;
    parts.push(s('path', { d: `M30 ${y} Q50 ${q} 70 ${y}`, stroke: '#1a1a1a', 'stroke-width': 5, 'stroke-linecap': 'round', fill: 'none' }));
  }
  return s('svg', { viewBox: '0 0 100 100', class: 'face', 'aria-hidden': 'true', focusable: 'false' }, parts);
}
