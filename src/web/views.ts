import type { Config } from '../driver/config.js';
import { type GenerateOptions, generateReport, generateReportBytes, prepareReport } from '../driver/generate.js';
import { UsageError } from '../errors.js';
import type { Profile } from '../profile/profile.js';
import { percentage, profileLabels } from '../report/report.js';
import { textItems } from '../report/text.js';
import { buildFlameTree } from './flame-tree.js';
import type { PageData, TopRow, ViewName, ValueFormat } from './view-data.js';

/** pprof's web top shows at most this many rows. */
const topRowLimit = 500;

/** ViewInput is what every view is computed from: the profile, the settings (command line plus URL) and the view's own argument. */
export interface ViewInput {
  profile: Profile;
  config: Config;
  /** peek and source: the regexp of the functions to show (pprof takes it from the focus parameter, f). */
  symbol?: string;
  generate?: GenerateOptions;
}

/** computeView computes the data of one page; each view goes through the driver's report pipeline, as its CLI report does. */
export async function computeView(view: ViewName, input: ViewInput): Promise<PageData> {
  const errors: string[] = [];
  const generate: GenerateOptions = { ...input.generate, warn: (m) => { errors.push(m); input.generate?.warn?.(m); } };
  const p = input.profile;
  const page = (legend: string[], total: number, format: ValueFormat, sampleType: string, extra: Partial<PageData>): PageData => ({
    view,
    mode: 'server',
    title: titleOf(legend),
    legend,
    errors,
    sampleTypes: p.sampleTypes.map((t) => t.type),
    sampleType,
    total,
    format,
    ...extra,
  });
  switch (view) {
    case 'flamegraph': {
      const rpt = prepareReport(p, input.config, { name: 'top' }, generate);
      const unit = rpt.options.outputUnit === 'minimum' ? 'auto' : rpt.options.outputUnit;
      const format = { sampleUnit: rpt.options.sampleUnit, outputUnit: unit, ratio: rpt.options.ratio };
      const legend = [...profileLabels(rpt), ...filterLines(rpt.options.activeFilters)];
      return page(legend, rpt.total, format, rpt.options.sampleType, { flame: buildFlameTree(rpt) });
    }
    case 'top': {
      const rpt = prepareReport(p, { ...input.config, nodeCount: topRowLimit }, { name: 'top' }, generate);
      const { items, labels } = textItems(rpt);
      let flatSum = 0;
      const rows: TopRow[] = items.map((item) => {
        flatSum += item.flat;
        return {
          flat: item.flatFormat,
          flatPercent: percentage(item.flat, rpt.total).trim(),
          sumPercent: percentage(flatSum, rpt.total).trim(),
          cum: item.cumFormat,
          cumPercent: percentage(item.cum, rpt.total).trim(),
          name: item.name,
          inline: item.inlineLabel,
        };
      });
      const format = { sampleUnit: rpt.options.sampleUnit, outputUnit: rpt.outputUnit, ratio: rpt.options.ratio };
      return page(labels, rpt.total, format, rpt.options.sampleType, { top: rows });
    }
    case 'graph': {
      const rpt = prepareReport(p, input.config, { name: 'svg' }, generate);
      const svg = await generateReport(p, input.config, { name: 'svg' }, generate);
      return page(profileLabels(rpt), rpt.total, formatOf(rpt.options), rpt.options.sampleType, { svg: svg.slice(Math.max(0, svg.indexOf('<svg'))) });
    }
    case 'peek':
    case 'source': {
      const name = view === 'peek' ? 'peek' : 'list';
      const symbol = input.symbol ?? '';
      const rpt = prepareReport(p, input.config, { name: 'top' }, generate);
      const text = symbol === ''
        ? `Pick the functions to ${view === 'peek' ? 'peek at' : 'list'}: Refine → focus on a regexp, or right-click a frame of the flame graph.\n`
        : await generateReport(p, input.config, { name, arg: symbol }, generate);
      return page(profileLabels(rpt), rpt.total, formatOf(rpt.options), rpt.options.sampleType, { text });
    }
  }
  throw new UsageError(`unknown view ${JSON.stringify(view)}`);
}

/** downloadProfile is the filtered profile as pprof's download: gzipped protobuf. */
export function downloadProfile(profile: Profile, config: Config): Promise<Uint8Array> {
  return generateReportBytes(profile, config, { name: 'proto' });
}

function formatOf(o: { sampleUnit: string; outputUnit: string; ratio: number }): ValueFormat {
  return { sampleUnit: o.sampleUnit, outputUnit: o.outputUnit === 'minimum' ? 'auto' : o.outputUnit, ratio: o.ratio };
}

function filterLines(filters: string[]): string[] {
  return filters.length === 0 ? [] : ['Active filters:', ...filters.map((f) => '   ' + f)];
}

/** titleOf is the page title, "file type" from the legend, as pprof's. */
function titleOf(legend: string[]): string {
  const find = (prefix: string) => legend.find((l) => l.startsWith(prefix))?.slice(prefix.length) ?? 'unknown';
  return `${find('File: ')} ${find('Type: ')}`;
}
