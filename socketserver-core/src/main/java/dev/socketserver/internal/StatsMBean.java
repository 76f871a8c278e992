package dev.socketserver.internal;

import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Shows a stats record over JMX, one read-only attribute per record component. A dynamic MBean,
 * so that no interface has to be exported for JMX to read it.
 */
public final class StatsMBean implements DynamicMBean {
    private final Supplier<? extends Record> stats;
    private final RecordComponent[] components;
    private final MBeanInfo info;

    public StatsMBean(Class<? extends Record> type, Supplier<? extends Record> stats, String description) {
        this.stats = stats;
        this.components = type.getRecordComponents();
        MBeanAttributeInfo[] attributes = Arrays.stream(components)
                .map(c -> new MBeanAttributeInfo(attributeName(c), c.getType().getName(), c.getName(), true, false, false))
                .toArray(MBeanAttributeInfo[]::new);
        this.info = new MBeanInfo(StatsMBean.class.getName(), description, attributes, null, new MBeanOperationInfo[0], null);
    }

    private static String attributeName(RecordComponent component) {
        String name = component.getName();
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException {
        Record snapshot = stats.get();
        for (RecordComponent c : components) {
            if (attributeName(c).equals(attribute)) {
                try {
                    return c.getAccessor().invoke(snapshot);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new AttributeNotFoundException(attribute);
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        for (String name : attributes) {
            try {
                list.add(new Attribute(name, getAttribute(name)));
            } catch (AttributeNotFoundException e) {
                // JMX leaves unknown names out of the list
            }
        }
        return list;
    }

    @Override
    public void setAttribute(Attribute attribute) {
        throw new UnsupportedOperationException("server statistics are read-only");
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) {
        throw new UnsupportedOperationException("no operations");
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        return info;
    }
}
