// Only the ECharts parts the dashboard draws, so the bundle stays small. SVG rather than canvas: map labels
// become real text in the page (readable by tests and screen readers) and 11–100 polygons render fast either way.
import { BarChart, MapChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([MapChart, BarChart, GridComponent, TooltipComponent, VisualMapComponent, SVGRenderer]);

export { echarts };

export const PALETTE = {
  text: '#c9d7ea',
  dim: '#7f93b0',
  line: '#1d3557',
  accent: '#2bd4ff',
  scale: ['#0f2d52', '#1565c0', '#26c6da', '#ffca28', '#ff5722'],
};
