// The element's own words, in both languages the wizard speaks (zh-CN and en). Bundle text
// (titles, options, messages) comes with the bundle; these are the words around it.

export const LABELS = {
  steps: { zh: '办理步骤', en: 'Steps' },
  progress: { zh: '填写进度', en: 'Progress' },
  filled: { zh: (a, b) => `已填 ${a} / ${b} 项必填`, en: (a, b) => `${a} of ${b} required fields filled` },
  stepOf: { zh: (a, b) => `第 ${a} 步，共 ${b} 步`, en: (a, b) => `Step ${a} of ${b}` },
  previous: { zh: '上一步', en: 'Previous' },
  next: { zh: '下一步', en: 'Next' },
  submit: { zh: '提交申请', en: 'Submit the application' },
  edit: { zh: '返回修改', en: 'Back to the form' },
  required: { zh: '必填', en: 'required' },
  optionalStep: { zh: '选择办理事项', en: 'Choose the services' },
  optionalHint: { zh: '以下事项可一并办理，请勾选需要的事项。', en: 'These services can be handled together; tick the ones you want.' },
  materials: { zh: '申请材料', en: 'Materials' },
  materialsHint: {
    zh: '请说明每份材料的提交方式。上传文件请使用页面提供的上传方式。',
    en: 'Say how each material is supplied. Upload files with the means the page provides.',
  },
  status: {
    provided: { zh: '已提交', en: 'Provided' },
    shared: { zh: '部门共享获取（免提交）', en: 'Obtained by data sharing (not uploaded)' },
    missing: { zh: '暂缺', en: 'Missing for now' },
    committed: { zh: '告知承诺代替', en: 'Replaced by a signed commitment' },
  },
  statusUnset: { zh: '未选择', en: 'Not chosen' },
  neededBy: { zh: '用于：', en: 'Needed for: ' },
  tolerableHint: { zh: '可容缺受理：签署承诺后限期补交', en: 'May be supplied later, on a signed commitment (容缺受理)' },
  tolerance: {
    zh: '本人申请容缺受理，承诺在规定期限内补齐所缺材料',
    en: 'I ask for fault-tolerant acceptance and commit to supplying the missing materials in time',
  },
  commitments: { zh: '承诺', en: 'Commitments' },
  departments: { zh: '涉及部门', en: 'Departments' },
  prefilledFrom: { zh: (s) => `已由“${s}”预填`, en: (s) => `Prefilled from ${s}` },
  derivedBy: { zh: (s) => `由规则“${s}”计算`, en: (s) => `Computed by the rule ${s}` },
  locked: { zh: '（权威数据，不可修改）', en: ' (authoritative, cannot be changed)' },
  yes: { zh: '是', en: 'Yes' },
  no: { zh: '否', en: 'No' },
  choose: { zh: '请选择', en: 'Choose' },
  addRow: { zh: (t) => `添加${t}`, en: (t) => `Add to ${t}` },
  removeRow: { zh: (r) => `删除${r}`, en: (r) => `Remove ${r}` },
  moveUp: { zh: (r) => `上移${r}`, en: (r) => `Move ${r} up` },
  rowCount: { zh: (n) => `共 ${n} 行`, en: (n) => `${n} rows` },
  errorsOnStep: {
    zh: (n) => `本步有 ${n} 处需要修改，请查看标红的项。`,
    en: (n) => `${n} field${n === 1 ? '' : 's'} on this step need${n === 1 ? 's' : ''} correcting.`,
  },
  warnings: { zh: '提示', en: 'Please note' },
  idValid: {
    zh: (d, g) => `身份号码校验通过：出生日期 ${d}，性别 ${g === 'male' ? '男' : '女'}`,
    en: (d, g) => `ID number checks out: born ${d}, ${g === 'male' ? 'male' : 'female'}`,
  },
  idPartial: { zh: (n) => `已输入 ${n} / 18 位`, en: (n) => `${n} of 18 characters` },
  idInvalid: {
    characters: { zh: '身份号码只能是数字，最后一位可以是 X', en: 'Only digits, and X as the last character' },
    length: { zh: '身份号码应为 18 位', en: 'An ID number has 18 characters' },
    date: { zh: '身份号码中的出生日期不存在', en: 'The birth date in the ID number does not exist' },
    check: { zh: '身份号码校验位不正确，请核对', en: 'The check digit does not match: please check the number' },
  },
  decision: { zh: '受理结果', en: 'Decision' },
  outcome: {
    accepted: { zh: '予以受理', en: 'Accepted' },
    accepted_with_tolerance: { zh: '容缺受理', en: 'Accepted with materials to follow' },
    accepted_on_commitment: { zh: '告知承诺受理', en: 'Accepted on commitment' },
    correction_required: { zh: '需补正', en: 'Corrections required' },
    rejected: { zh: '不予受理', en: 'Not accepted' },
    not_applicable: { zh: '不适用', en: 'Not applicable' },
    manual_review: { zh: '需人工审核', en: 'Needs a manual review' },
  },
  items: { zh: '各事项', en: 'Each service' },
  deficiencies: { zh: '一次性告知：需补正的内容', en: 'Everything to correct, told once' },
  supplements: { zh: '容缺材料补交期限', en: 'Materials to supply later, and by when' },
  itemOutcome: { zh: (item, dept, outcome) => `${item}（${dept}）：${outcome}`, en: (item, dept, outcome) => `${item} (${dept}): ${outcome}` },
  supplement: { zh: (title, by) => `${title}：${by} 前补交`, en: (title, by) => `${title}: supply by ${by}` },
  supplyBy: { zh: (d) => `${d} 前补交`, en: (d) => `by ${d}` },
  notice: { zh: '一次性告知书', en: 'The one-time notice' },
  none: { zh: '无', en: 'None' },
  working: { zh: '正在处理……', en: 'Working…' },
  failed: { zh: '出错了：', en: 'Something went wrong: ' },
  selected: { zh: '已选', en: 'selected' },
};

/** The label `key` in `lang`; a function label is called with `args`. */
export function label(lang, key, ...args) {
  const path = key.split('.');
  let entry = LABELS;
  for (const p of path) entry = entry?.[p];
  const v = entry?.[lang] ?? entry?.zh;
  return typeof v === 'function' ? v(...args) : v ?? key;
}
