/** The guide's ELB listener and security-group tables, and the Common Name rule that still applies behind an ELB. */
import { ELB_CN_RULE, ELB_LISTENERS, ELB_SECURITY_GROUP } from '../../../shared/certs/elb-checklist';

export function ElbChecklist() {
  return (
    <section className="section" aria-labelledby="elb-heading">
      <h2 id="elb-heading">ELB checklist</h2>
      <p>When an AWS ELB in front of the Services machine terminates TLS, set it up like this.</p>
      <div className="table-scroll">
        <table className="table table--compact">
          <caption>Listeners</caption>
          <thead>
            <tr>
              <th scope="col">LB protocol</th>
              <th scope="col" className="num">
                LB port
              </th>
              <th scope="col">Instance protocol</th>
              <th scope="col" className="num">
                Instance port
              </th>
              <th scope="col">For</th>
            </tr>
          </thead>
          <tbody>
            {ELB_LISTENERS.map((l) => (
              <tr key={l.lbPort}>
                <td>{l.lbProtocol}</td>
                <td className="num">{l.lbPort}</td>
                <td>{l.instanceProtocol}</td>
                <td className="num">{l.instancePort}</td>
                <td>{l.purpose}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <table className="table table--compact cert-gap">
        <caption>Security group (inbound)</caption>
        <thead>
          <tr>
            <th scope="col">Protocol</th>
            <th scope="col">Ports</th>
            <th scope="col">For</th>
          </tr>
        </thead>
        <tbody>
          {ELB_SECURITY_GROUP.map((r) => (
            <tr key={r.ports}>
              <td>{r.protocol}</td>
              <td>{r.ports}</td>
              <td>{r.purpose}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="message message--info cert-gap">
        <p>
          <strong>Common Name rule.</strong> {ELB_CN_RULE}
        </p>
      </div>
    </section>
  );
}
